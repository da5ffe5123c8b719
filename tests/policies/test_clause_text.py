"""Clause text is HTML from a template: escaped, other policies linked, the search marked."""

from policies.templatetags.policy_text import clause_html

LINKS = {"Drugs & Alcohol Policy": "/policies/drugs-alcohol/"}


def test_a_mention_of_another_policy_links_to_it_and_the_text_stays_escaped():
    html = clause_html('See the drugs & alcohol policy <script>alert("x")</script>', LINKS)
    assert html == ('See the <a href="/policies/drugs-alcohol/" class="policy-mention">'
                    'drugs &amp; alcohol policy</a> '
                    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;')


def test_the_search_term_is_marked_inside_and_outside_a_mention():
    html = clause_html("Alcohol: read the Drugs & Alcohol Policy.", LINKS, "alcohol")
    assert html == ('<mark>Alcohol</mark>: read the <a href="/policies/drugs-alcohol/" '
                    'class="policy-mention">Drugs &amp; <mark>Alcohol</mark> Policy</a>.')


def test_a_search_for_markup_characters_marks_them_escaped():
    assert clause_html("a <b> & c", None, "<b> &") == "a <mark>&lt;b&gt; &amp;</mark> c"


def test_text_with_nothing_to_link_or_mark_is_only_escaped():
    assert clause_html("Staff 'must' not", None, "") == "Staff &#x27;must&#x27; not"
