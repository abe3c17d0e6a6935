"""What the demo coaching says: series, talks and their lines, pitch takes, challenges and review
comments, and the names and caption timings of the committed demo media that say them.

Read by ``coaching.demo`` to seed and by ``demo_media/make_demo_media.py`` to make the media.
"""

from pathlib import Path

from django.utils.text import slugify

from .transcripts import format_vtt_time

SERIES = [
    (
        "Discovery that sticks",
        "Questions that get buyers talking about cost, urgency and who decides.",
    ),
    ("Objections, handled", "Short answers to the pushback reps hear every week."),
    ("Negotiation without discounts", "Trading value instead of margin."),
]

# (title, skills, stage, series index or None, the lines said, in order)
TALKS = [
    (
        "Open discovery with one question",
        ["discovery", "questioning"],
        "discovery",
        0,
        [
            "Start every discovery call with one open question and then stop talking.",
            "Ask what happens if nothing changes this quarter.",
            "Write down the exact words the buyer uses for their problem.",
            "Play those words back in the proposal, not your product names.",
            "The cost of doing nothing is the number that gets budget moved.",
        ],
    ),
    (
        "Find the economic buyer early",
        ["discovery", "stakeholders"],
        "discovery",
        0,
        [
            "Ask who signs, and who can say no after they sign.",
            "A champion who cannot name the economic buyer is a coach, not a champion.",
            "Offer a short executive summary the champion can forward.",
            "Book the second meeting before you leave the first.",
        ],
    ),
    (
        "It is too expensive",
        ["objection handling", "pricing"],
        "negotiation",
        1,
        [
            "When a buyer says it is too expensive, ask: compared to what?",
            "Too expensive usually means the value is not clear yet.",
            "Go back to the cost of doing nothing you found in discovery.",
            "Never answer a price objection with a discount in the same breath.",
        ],
    ),
    (
        "We already use a competitor",
        ["objection handling", "competition"],
        "prospecting",
        1,
        [
            "Congratulate them: it means they already believe in the category.",
            "Ask what they would change about the current tool if they could.",
            "Pick one gap and show it, not ten features.",
            "Offer a side-by-side on their own data, not a generic demo.",
        ],
    ),
    (
        "Trade, never give",
        ["negotiation", "pricing"],
        "negotiation",
        2,
        [
            "Every concession needs something in return: term, volume or a case study.",
            "Say if we can do that, can you sign by the end of the month?",
            "Keep a list of low-cost, high-value things you can trade.",
            "Silence after your offer is a tool; let the buyer fill it.",
        ],
    ),
    (
        "Multi-threading a stalled deal",
        ["stakeholders", "closing"],
        "closing",
        None,
        [
            "A deal with one contact is a deal at risk.",
            "Ask your champion who else will be affected by the change.",
            "Send each stakeholder one line about what is in it for them.",
            "Summarise the mutual plan with dates and owners after every call.",
        ],
    ),
    (
        "The two-minute demo",
        ["demo", "storytelling"],
        "demo",
        None,
        [
            "Show the outcome first, then how you got there.",
            "One customer story beats five features.",
            "Stop after two minutes and ask what they would use first.",
        ],
    ),
    (
        "Renewals start on day one",
        ["renewal", "customer success"],
        "renewal",
        None,
        [
            "Agree the success measure at kickoff, in writing.",
            "Share a short value report every quarter.",
            "Renewal conversations go better when the buyer has the numbers already.",
        ],
    ),
]
EXPERTS = [("Dana Whitfield", "VP Sales, guest speaker"), ("Oren Malik", "Negotiation coach")]
CUE_SECONDS = 7
# Short WebM videos (VP9 + Opus) the project made with demo_media/make_demo_media.py: each
# says its lines at the seconds transcript_for() gives them. Committed, never downloaded.
DEMO_MEDIA = Path(__file__).resolve().parent / "demo_media"
PITCH_TAKES = [
    (
        "Pitch: Huddle Analytics for a CFO",
        [
            "Your team spends two days a month building the revenue forecast by hand.",
            "Huddle Analytics builds it every morning, so those two days go back to selling.",
            "Can we run it on last quarter's numbers together next Tuesday?",
        ],
    ),
    (
        "Pitch: answering the price objection",
        [
            "You are right, we cost more than the other vendor on the first invoice.",
            "Customers like you get the difference back within one quarter.",
            "Shall I show you the numbers from a team your size?",
        ],
    ),
]

CHALLENGES = [
    (
        "Pitch Huddle Analytics to a CFO",
        "Give the 90-second pitch for Huddle Analytics to a CFO who cares about cash.",
        14,
        ["Clarity", "Business value", "Call to action"],
    ),
    (
        "Handle the price objection",
        "Respond in one minute to: “You are 30% more expensive than the other vendor.”",
        -7,
        ["Empathy", "Reframing value", "Confidence"],
    ),
]
REVIEW_COMMENTS = [
    "Strong open. Land the number earlier: the CFO wants the payback in the first 20 seconds.",
    "Good pace and eye contact. Try ending with a specific next step instead of a question.",
    "Clear story. Cut the feature list in the middle and keep the customer example.",
    "Confident delivery. Name the cost of doing nothing before the price comes up.",
]


def cue_start(number: int) -> int:
    """The second at which a demo video says its line ``number``."""
    return 1 + number * CUE_SECONDS


def talk_media_name(title: str) -> str:
    return f"{slugify(title)}.webm"


def talk_poster_name(title: str) -> str:
    return f"{slugify(title)}.jpg"


def pitch_media_name(number: int) -> str:
    return f"pitch-take-{number + 1}.webm"


def transcript_for(lines: list[str]) -> str:
    out = ["WEBVTT", ""]
    for number, line in enumerate(lines):
        start = cue_start(number)
        out += [
            f"{format_vtt_time(start)} --> {format_vtt_time(start + CUE_SECONDS - 0.5)}",
            line,
            "",
        ]
    return "\n".join(out)
