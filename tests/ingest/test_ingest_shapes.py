"""Each shape real pages use for sections and items, on a small page of its own (pages drip's
rules were not written against: no corpus text, no corpus class names)."""

from __future__ import annotations

from drip import content, ingest

Role = content.Role


def items(article: content.Article, role: Role) -> list[tuple[str, str]]:
    return [(i.title, i.body) for i in article.items_with_role(role)]


def test_plain_entries_with_a_dash_or_a_colon_name_the_thing() -> None:
    md = (
        "# Knee Pain\n\nKnees carry us.\n\n## What causes knee pain\n\n"
        "- Torn meniscus – a twist tears the cartilage.\n- Gout: crystals form in the joint.\n"
        "- Runner's knee\n"
    )
    article = ingest.parse(md, format="markdown", slug="knee")
    assert items(article, Role.CAUSES) == [
        ("Torn meniscus", "A twist tears the cartilage."),
        ("Gout", "Crystals form in the joint."),
        ("Runner's knee", ""),
    ]


def test_an_entry_inside_an_entry_stays_in_its_body_as_a_list() -> None:
    html = """<h1>Hip Pain</h1><h2>Treatments</h2><ul>
      <li>Medication<ul><li>ibuprofen</li><li>naproxen</li></ul></li>
      <li>Physiotherapy</li></ul>"""
    article = ingest.parse(html, format="html", slug="hip")
    assert items(article, Role.TREATMENTS) == [
        ("Medication", "- ibuprofen\n- naproxen"),
        ("Physiotherapy", ""),
    ]


def test_a_definition_list_gives_labelled_items() -> None:
    html = """<h1>Shoulder Pain</h1><h2>Causes</h2>
      <dl><dt>Frozen shoulder</dt><dd>The capsule stiffens.</dd>
      <dt>Rotator cuff tear</dt><dd>A tendon tears.</dd></dl>"""
    article = ingest.parse(html, format="html", slug="s")
    assert items(article, Role.CAUSES) == [
        ("Frozen shoulder", "The capsule stiffens."),
        ("Rotator cuff tear", "A tendon tears."),
    ]


def test_cards_of_nested_divs_and_numbered_headings() -> None:
    html = """<main><h1>Heel Pain</h1><section><h2>Treatment options</h2>
      <div class="grid"><div class="card"><h3>1. Stretching</h3><p>Stretch the calf.</p></div>
      <div class="card"><h3>2. Orthotics</h3><p>Insoles support the arch.</p></div></div>
      </section></main>"""
    article = ingest.parse(html, format="html", slug="h")
    assert items(article, Role.TREATMENTS) == [
        ("Stretching", "Stretch the calf."),
        ("Orthotics", "Insoles support the arch."),
    ]


def test_a_blog_name_h1_above_the_post_title_is_chrome_and_meta_gives_the_title() -> None:
    html = """<head><title>Elbow Pain | Sunny Physio Blog</title>
      <meta name="author" content="Ana Silva"><meta property="article:published_time"
      content="2021-05-06T10:00:00Z"></head><body><h1>Sunny Physio Blog</h1>
      <h2>Elbow Pain</h2><p>Elbows ache.</p><h3>Causes</h3><ul><li>Tennis elbow</li>
      <li>Golfer's elbow</li></ul><h3>Treatments</h3><ul><li>Rest</li><li>Ice</li></ul></body>"""
    article = ingest.parse(html, format="html", slug="e")
    assert (article.title, article.author, article.date) == (
        "Elbow Pain",
        "Ana Silva",
        "2021-05-06",
    )
    assert [s.role for s in article.sections] == [Role.INTRO, Role.CAUSES, Role.TREATMENTS]
    assert [u.text for u in article.unplaced] == ["Sunny Physio Blog"]


def test_chrome_anywhere_is_reported_and_never_an_item() -> None:
    md = (
        "---\ntitle: Wrist Pain\n---\nWrists bend.\n\n## Causes\n\n"
        "- Carpal tunnel syndrome<sup>2</sup>\n- Sprain {.list}\n\n"
        "Share this article: Twitter · Facebook\n\n"
        "[Book now]({{ site.url }}/book)\n\n## Sources\n\n- Smith J. (2019). Wrists. J Hand.\n"
    )
    article = ingest.parse(md, format="markdown", slug="w")
    assert [i.title for i in article.items_with_role(Role.CAUSES)] == [
        "Carpal tunnel syndrome", "Sprain",
    ]  # fmt: skip
    reasons = " | ".join(u.reason for u in article.unplaced)
    for what in ("citation marker", "attribute list", "share buttons", "link on its own",
                 "a reference list"):  # fmt: skip
        assert what in reasons


def test_one_section_per_treatment_is_a_list_of_treatments() -> None:
    md = (
        "# Neck Pain\n\nNecks hurt.\n\n## Causes\n\n- Posture\n- Whiplash\n\n"
        "## Massage therapy for neck pain\n\nA therapist can help.\n\n"
        "## Treatment with medicines\n\nPainkillers treat the pain.\n"
    )
    article = ingest.parse(md, format="markdown", slug="n")
    treatments = article.sections_with_role(Role.TREATMENTS)
    assert [t.title for t in article.listed(Role.TREATMENTS)] == [s.title for s in treatments]
    assert len(treatments) == 2


def test_prose_alone_lists_nothing() -> None:
    md = "# Back Pain\n\nIt aches.\n\n## Causes\n\nStrain, discs and age cause it.\n"
    article = ingest.parse(md, format="markdown", slug="b")
    assert article.sections_with_role(Role.CAUSES)
    assert article.listed(Role.CAUSES) == []


def test_decoy_lists_keep_their_own_roles() -> None:
    md = (
        "# Sciatica\n\nIt shoots.\n\n## Symptoms\n\n- Leg pain\n- Numbness\n\n"
        "## When to see a doctor\n\n- You cannot pee\n\n## How to prevent it\n\n- Lift well\n\n"
        "## Why choose us\n\nHere is what sets us apart:\n\n- Expert staff\n- Free parking\n"
    )
    article = ingest.parse(md, format="markdown", slug="s")
    assert [s.role for s in article.sections] == [
        Role.INTRO, Role.SYMPTOMS, Role.SEE_A_DOCTOR, Role.PREVENTION, Role.OTHER,
    ]  # fmt: skip
    assert article.listed(Role.CAUSES) == article.listed(Role.TREATMENTS) == []


KNEE = """<h1>Knee Pain</h1><p>Knees carry us.</p>
<h2>What causes knee pain?</h2><ul><li>Meniscus tear – a twist tears the cartilage.</li>
<li>Gout: crystals in the joint.</li></ul>
<h2>What you might notice</h2><ul><li>Swelling</li><li>Stiffness in the morning</li>
<li>Pins and needles</li></ul>
<h2>Getting your knee back</h2><dl><dt>Exercise therapy</dt><dd>Strengthening the quadriceps.</dd>
<dt>Knee injections</dt><dd>A steroid injection.</dd><dt>Ice and rest</dt><dd>At first.</dd></dl>
<h2>Everyday culprits</h2><ul><li>Lack of exercise</li><li>Too much rest</li>
<li>Poor footwear</li></ul>"""


def test_a_heading_that_names_no_role_takes_one_from_what_its_entries_are() -> None:
    """Care makes treatments, warning signs make symptoms; the lack of care is no care."""
    article = ingest.parse(KNEE, format="html", slug="knee")
    by_title = {s.title: s for s in article.sections}
    treatments = by_title["Getting your knee back"]
    assert treatments.role is Role.TREATMENTS
    assert treatments.evidence[0] == (
        '3 of 3 entries name care ("Exercise therapy", "Knee injections", "Ice and rest")'
    )
    assert by_title["What you might notice"].role is Role.SYMPTOMS
    assert by_title["Everyday culprits"].role is Role.OTHER
    assert [t for t, _ in items(article, Role.TREATMENTS)] == [
        "Exercise therapy", "Knee injections", "Ice and rest"
    ]  # fmt: skip


def test_how_is_it_treated_names_the_treatments() -> None:
    html = KNEE.replace("Getting your knee back", "How is knee pain treated?")
    article = ingest.parse(html, format="html", slug="knee")
    (section,) = article.sections_with_role(Role.TREATMENTS)
    assert section.evidence == ('the heading says "treated"',)
