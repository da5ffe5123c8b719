from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Academy(models.Model):
    """An academy of the trust, or the central trust team (exactly one row has is_central)."""

    name = models.CharField(max_length=200, unique=True)
    code = models.SlugField(max_length=40, unique=True, help_text="Short code used in imports.")
    is_central = models.BooleanField(default=False)

    class Meta:
        ordering = ["is_central", "name"]
        verbose_name_plural = "academies"
        constraints = [
            models.UniqueConstraint(
                fields=["is_central"], condition=Q(is_central=True), name="one_central_team"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    """Who the policy covers, clause 2.1 and 2.2."""

    EMPLOYEE = "employee", "Employee"
    CONSULTANT = "consultant", "Consultant"
    CONTRACTOR = "contractor", "Contractor"
    CASUAL = "casual", "Casual staff"
    AGENCY = "agency", "Agency staff"
    VOLUNTEER = "volunteer", "Volunteer"
    THIRD_PARTY = "third_party", "Third party with system access"


class Role(models.TextChoices):
    STAFF = "staff", "Staff"
    PRINCIPAL = "principal", "Principal"
    HR = "hr", "HR"
    CEO = "ceo", "CEO"
    BOARD = "board", "Trust Board"
    ADMIN = "admin", "Administrator"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):
        if not email:
            raise ValueError("Every person needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.ADMIN)
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("full_name", email.split("@")[0])
        return self.create_user(email, password, **fields)

    def current(self):
        """People still with the trust today (leavers keep history but drop out)."""
        today = timezone.localdate()
        return self.filter(Q(leaving_date__isnull=True) | Q(leaving_date__gt=today))


class User(AbstractBaseUser, PermissionsMixin):
    """A person the policy covers (clause 2), whether or not they sign in to the portal."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    academy = models.ForeignKey(
        Academy, on_delete=models.PROTECT, null=True, blank=True, related_name="people"
    )
    job_title = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.EMPLOYEE)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.STAFF)
    start_date = models.DateField(null=True, blank=True)
    leaving_date = models.DateField(null=True, blank=True)
    line_manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    portal_access = models.BooleanField(
        default=True, help_text="False for people who acknowledge only through signed links."
    )
    is_active = models.BooleanField(default=True)
    #: A changed address waits here until it is confirmed from that address (accounts.services).
    pending_email = models.EmailField(blank=True, default="")
    pending_email_requested_at = models.DateTimeField(null=True, blank=True)
    is_staff = models.BooleanField(default=False, help_text="May open the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["academy"], condition=Q(role="principal") & Q(leaving_date__isnull=True),
                name="one_principal_per_academy",
            ),
            models.CheckConstraint(
                condition=~Q(role="principal") | Q(academy__isnull=False),
                name="principal_has_academy",
            ),
            models.CheckConstraint(
                condition=Q(leaving_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(leaving_date__gte=models.F("start_date")),
                name="leaves_after_starting",
            ),
            models.CheckConstraint(
                condition=~Q(line_manager=models.F("id")), name="not_own_line_manager"
            ),
        ]
        indexes = [
            models.Index(fields=["academy", "category"]), models.Index(fields=["role"]),
            # The people list pages through everyone (HR) or one academy (Principal) by name.
            models.Index(fields=["full_name"], name="user_full_name_idx"),
            models.Index(fields=["academy", "full_name"], name="user_academy_name_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def is_leaver(self) -> bool:
        return self.leaving_date is not None and self.leaving_date <= timezone.localdate()

    @property
    def is_central(self) -> bool:
        return self.academy is None or self.academy.is_central
