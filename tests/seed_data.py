"""The seed, as test data shared by every tier: the article (`articles/back-spasms.txt`) as a
content tree built by hand, so tests of the generator and the renderer do not depend on the
parsers (tests/generate checks that the parser gives this same tree), and the seed clinic."""

from __future__ import annotations

from drip import content, sequences

A = "back-spasms"
CLINIC = sequences.Clinic(
    name="Winternheimer Chiropractic",
    from_address="Winternheimer Chiropractic <tips@winternheimer-chiro.example>",
    reply_to="frontdesk@winternheimer-chiro.example",
    postal_address="1200 Main Street, Suite 4, Springfield, IL 62701, USA",
    booking_url="https://winternheimer-chiro.example/book",
    base_url="https://tips.winternheimer-chiro.example",
    timezone="America/Chicago",
)


def _item(section: str, title: str, body: str) -> content.Item:
    return content.Item(slug=f"{section}/{content.slugify(title)}", title=title, body=body)


def seed_article() -> content.Article:
    causes, treatments = f"{A}/causes", f"{A}/treatments"
    return content.Article(
        slug=A,
        title="Causes & Treatments for Back Spasms",
        author="Dr. Jeff Winternheimer D.C.",
        date="2014-02-11",
        sections=(
            content.Section(
                slug=f"{A}/intro",
                title="",
                role=content.Role.INTRO,
                body=(
                    "The structure of your lower back is extremely complex. It contains numerous"
                    " ligaments, tendons and nerves that may be injured or irritated. The lumbar"
                    " area supports your body, and pain in this area can range from limiting and"
                    " irritating to chronic and debilitating. When you stand your lumbar area"
                    " bears the weight of the upper body. When you bend at the waist, your lumbar"
                    " area plays a major role in the movement. Back spasms hinder your ability to"
                    " perform these actions."
                ),
            ),
            content.Section(
                slug=causes,
                title="Causes of Back Spasms",
                role=content.Role.CAUSES,
                body="",
                items=(
                    _item(
                        causes,
                        "Muscle Injury",
                        "Lumbar muscle spasms may result from muscle strain. Your muscles can be"
                        " damaged due to a sudden movement during highly physical work or while"
                        " playing sports.",
                    ),
                    _item(
                        causes,
                        "Bone Encroachment",
                        "Growth or movement of the vertebrae may constrict the spinal cord and"
                        " nerves resulting in pain that radiates throughout the lower body.",
                    ),
                    _item(
                        causes,
                        "Lumbar Disc Disease",
                        "Nerves may be irritated by age-related degeneration of the outer rings on"
                        " the discs between your vertebrae. Additionally, the soft part of these"
                        ' discs can rupture and extrude from the outer rings ("herniation") and'
                        " exert pressure on your nerves and spinal cord. This occurs as a result"
                        " of the discs drying up, which is a normal part of aging.",
                    ),
                ),
            ),
            content.Section(
                slug=treatments,
                title="Treatments for Back Spasms",
                role=content.Role.TREATMENTS,
                body="",
                items=(
                    _item(
                        treatments,
                        "Heat and Ice",
                        "The use of hot and cold compresses can help to reduce inflammation and"
                        " lessen pain for some patients. These compresses should be applied as"
                        " soon as possible after an injury. You may alternate the hot and cold"
                        " compresses, applying each for several minutes at a time. This may"
                        " provide temporary relief but will not fix serious spinal damage.",
                    ),
                    _item(
                        treatments,
                        "Medications",
                        "Over the counter non-steroidal anti-inflammatory drugs such as aspirin"
                        " and naproxen can reduce inflammation and stiffness and reduce pain."
                        " These drugs can help you to deal with pain, but the underlying problem"
                        " of spinal damage will remain. Additionally, NSAIDs come with a long list"
                        " of side effects including an increased risk of bleeding ulcers and fatal"
                        " heart attacks. These risks are especially great for long-term users,"
                        " such as those suffering from chronic back pain. Severe back pain may"
                        " also be managed with more powerful drugs like opioids, but these come"
                        " with the potential for addiction.",
                    ),
                    _item(
                        treatments,
                        "Rest",
                        "Rest may be helpful for some who suffer from back spasms, but not for"
                        " others. In some studies, bed rest has been shown to aid recovery whereas"
                        " other studies have shown that it can make the pain worse. Additionally,"
                        " excessive bed rest can cause loss of muscle tone and depression.",
                    ),
                    _item(
                        treatments,
                        "Vertebroplasty/Kyphoplasty",
                        "In both procedures, an epoxy is injected into the vertebrae to strengthen"
                        " the bone and relieve pain. With kyphoplasty, a balloon is inserted and"
                        " inflated to restore normal form to the bone before the epoxy is"
                        " injected. Both procedures come with the risk of cement leaking out of"
                        " the injection site before it hardens fully. If it leaks into the spinal"
                        " canal, it can cause more pain and new nerve problems.",
                    ),
                    _item(
                        treatments,
                        "Functional Disc Rehydration",
                        "If you suffer from chronic back spasms caused by disc degeneration, this"
                        " procedure can help your spine to restore fluids to a desiccated disc."
                        " Traction and compression are used to replenish the discs. The benefits"
                        " are a stronger spine and the elimination of back pain. This method is"
                        " not invasive and is effective for patients of all ages.",
                    ),
                ),
            ),
            content.Section(
                slug=f"{A}/closing",
                title="",
                role=content.Role.CLOSING,
                body=(
                    "Almost everyone suffers from back spasms at some point, whether from injury"
                    " or due to aging. The right remedy depends on the cause and the severity of"
                    " the pain. The good news is that in most cases, your back pain will be"
                    " treatable regardless of what causes it."
                ),
            ),
        ),
    )
