"""Test data builders shared by every domain's tests."""

import itertools

from accounts.models import Academy, Category, Role, User

_seq = itertools.count(1)


def academy_make(name: str | None = None, *, central: bool = False) -> Academy:
    n = next(_seq)
    name = name or f"Academy {n}"
    return Academy.objects.create(name=name, code=f"a{n}", is_central=central)


def person_make(
    *, role: str = Role.STAFF, academy: Academy | None = None, line_manager: User | None = None,
    category: str = Category.EMPLOYEE, name: str | None = None, email: str | None = None,
    password: str | None = "correct-horse-battery", mfa: bool | None = None, **fields,
) -> User:
    n = next(_seq)
    person = User.objects.create_user(
        email or f"person{n}@trust.test", password, full_name=name or f"Person {n}",
        role=role, academy=academy, line_manager=line_manager, category=category, **fields,
    )
    from accounts.permissions import MFA_REQUIRED_ROLES

    if mfa if mfa is not None else role in MFA_REQUIRED_ROLES:
        from accounts.demo import ensure_demo_totp

        ensure_demo_totp(person)
    return person
