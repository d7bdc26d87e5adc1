"""The built-in letter sets (variants): what each letter means, its colour, its rules.

Defined once here and used by the loader (which letters are valid), the analysis
(which letter plays which part) and every renderer (legend, cell colours). A
project picks one with ``variant:`` in raci.yaml, or declares its own there.
"""

from __future__ import annotations

from raci_gen.model.matrix import Letter, Variant

# One palette for every variant, so a colour keeps its sense across variants:
# green does the work, orange owns it, blue is asked, grey is told.
GREEN, ORANGE, BLUE, GREY = "#C9E7C0", "#F5B69B", "#BBD5EF", "#E4E4E4"
YELLOW, PURPLE, TEAL, WHITE = "#F7E3A1", "#D9C7EC", "#B9E2DC", "#FFFFFF"

RACI = Variant(
    name="RACI",
    letters=(
        Letter("R", "Responsible", "Does the work.", GREEN),
        Letter("A", "Accountable", "Answers for the outcome and signs it off; exactly one per activity.", ORANGE),
        Letter("C", "Consulted", "Asked for input before the work or decision (two-way).", BLUE),
        Letter("I", "Informed", "Told about progress or the result (one-way).", GREY),
    ),
    order="ARCI",
    description="The classic matrix: one Accountable, at least one Responsible.",
)

RASCI = Variant(
    name="RASCI",
    letters=RACI.letters[:2] + (
        Letter("S", "Support", "Helps the Responsible with the work; does not replace them.", YELLOW),
    ) + RACI.letters[2:],
    order="ARSCI",
    needs=(("S", ("R",)),),
    helpers=("S",),
    description="RACI plus Support; an S needs an R to support.",
)

RACI_VS = Variant(
    name="RACI-VS",
    letters=RACI.letters + (
        Letter("V", "Verifies", "Checks the result against the acceptance criteria.", TEAL),
        Letter("S", "Signs off", "Approves the verified result and authorises the hand-off.", PURPLE),
    ),
    order="ARVSCI",
    at_most_one=("S",),
    needs=(("S", ("V",)),),
    helpers=("V", "S"),
    description="RACI plus Verifies and Signs off; at most one S, and an S wants a V.",
)

CAIRO = Variant(
    name="CAIRO",
    letters=RACI.letters + (
        # #707070 on white is 4.95:1; #777777 was 4.48:1, below the 4.5:1 WCAG asks of text.
        Letter("O", "Out of the loop", "Deliberately not involved.", WHITE, text="#707070"),
    ),
    order="ARCIO",
    not_involved=("O",),
    description="RACI plus Out of the loop: O records a deliberate 'not involved' and counts as no part.",
)

DACI = Variant(
    name="DACI",
    letters=(
        Letter("D", "Driver", "Drives the work and the decision to completion; exactly one.", GREEN),
        Letter("A", "Approver", "Makes the decision; exactly one.", ORANGE),
        Letter("C", "Contributor", "Brings knowledge or does part of the work; consulted.", BLUE),
        Letter("I", "Informed", "Told about the decision.", GREY),
    ),
    order="ADCI",
    exactly_one=("A", "D"),
    doers=("D",),
    helpers=("C",),
    combinations=(),
    description="Decision making: exactly one Driver and exactly one Approver.",
)

RAPID = Variant(
    name="RAPID",
    letters=(
        Letter("R", "Recommend", "Proposes the decision, gathering input.", TEAL),
        Letter("A", "Agree", "Must agree to the recommendation; may hold several roles.", YELLOW),
        Letter("P", "Perform", "Carries out the decision.", GREEN),
        Letter("I", "Input", "Consulted for facts and views; not binding.", BLUE),
        Letter("D", "Decide", "Makes the final decision; exactly one.", ORANGE),
    ),
    order="DRAPI",
    exactly_one=("D",),
    doers=("P",),
    consulted=("I", "A"),  # Recommend proposes; it is not asked before
    informed=(),
    helpers=("R", "A"),  # Recommend prepares the decision, Agree binds it: both a share of the work
    combinations=(),
    description="Bain's decision roles: exactly one Decide, at least one Perform; A (Agree) is not a single owner.",
)

PARIS = Variant(
    name="PARIS",
    letters=(
        Letter("P", "Participant", "Takes part in doing the work.", GREEN),
        Letter("A", "Accountable", "Answers for the outcome; exactly one.", ORANGE),
        Letter("R", "Review required", "Must review the work.", TEAL),
        Letter("I", "Input required", "Must give input.", BLUE),
        Letter("S", "Sign-off required", "Must sign the work off.", PURPLE),
    ),
    order="APRIS",
    doers=("P",),
    consulted=("R", "I"),
    informed=(),
    helpers=("R", "S"),
    combinations=(("A", "P"),),
    description="Participant, Accountable, Review, Input, Sign-off: one A, and P plays the part of R.",
)

PACSI = Variant(
    name="PACSI",
    letters=(
        Letter("P", "Perform", "Does the work.", GREEN),
        Letter("A", "Accountable", "Answers for the outcome; exactly one.", ORANGE),
        Letter("C", "Control", "Reviews the result and holds a binding veto.", PURPLE),
        Letter("S", "Suggest", "Consulted for suggestions; not binding.", BLUE),
        Letter("I", "Informed", "Told about the result.", GREY),
    ),
    order="APCSI",
    doers=("P",),
    consulted=("C", "S"),
    helpers=("C",),
    combinations=(("A", "P"),),
    description="Perform, Accountable, Control, Suggest, Informed: one A, and P plays the part of R.",
)

VARIANTS: dict[str, Variant] = {v.name: v for v in (RACI, RASCI, RACI_VS, CAIRO, DACI, RAPID, PARIS, PACSI)}
