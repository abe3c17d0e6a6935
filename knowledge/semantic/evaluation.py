"""A paraphrase test set of sales tips, to measure search by meaning on this project's own words.

Each query shares no content word with its tip's title or summary, so keyword
search cannot find it; ``content_words_shared`` checks that claim.
"""

import re
from collections.abc import Callable

# (query, title, summary)
PAIRS = [
    (
        "prospect went dark",
        "Re-engage a buyer who stopped answering",
        "When someone goes silent after a demo, send a short note that offers an easy way out; "
        "most people reply to close the loop.",
    ),
    (
        "pricing pushback",
        "Handling the 'too expensive' objection",
        "Ask what the cost is being compared with, then tie the number back to the savings they told you about.",
    ),
    (
        "getting past the gatekeeper",
        "Reach the decision maker when an assistant screens calls",
        "Treat the executive assistant as an ally: be honest about why you are calling and ask "
        "for their advice on timing.",
    ),
    (
        "customer wants to cancel",
        "Saving an account that is about to churn",
        "Book a call with the sponsor, review the value delivered so far and agree a recovery "
        "plan before the term ends.",
    ),
    (
        "legal is slowing the contract",
        "Speed up redlines with the buyer's lawyers",
        "Send our standard paper early, flag the clauses we can concede, and get attorneys talking directly.",
    ),
    (
        "competitor is cheaper",
        "Winning against a rival with a lower price",
        "Shift the conversation to total cost of ownership, implementation risk and support response times.",
    ),
    (
        "no budget this quarter",
        "When the buyer says funds are frozen until next year",
        "Offer a paid pilot or a deferred start date so the spend lands in the next fiscal period.",
    ),
    (
        "demo went badly",
        "Recovering after a product walkthrough that flopped",
        "Admit what broke, send a recorded clip of the feature working, and offer a second "
        "session for the technical team.",
    ),
    (
        "follow up after trade show",
        "Turning conference booth contacts into meetings",
        "Within two days, send each visitor one line about what you discussed at the stand and a link to book time.",
    ),
    (
        "champion left the company",
        "Our internal advocate quit: rebuilding the relationship",
        "Congratulate them on the new role, ask who inherits the project, and request a warm introduction.",
    ),
    (
        "asking for referrals",
        "Getting happy clients to introduce you to peers",
        "After a success milestone, ask which two people in their network face the same problem.",
    ),
    (
        "voicemail script",
        "What to say when the phone goes to the answering machine",
        "Keep the message under twenty seconds, give one reason to call back and repeat your number slowly.",
    ),
    (
        "too many discounts",
        "Protect margin instead of giving away price cuts",
        "Trade concessions for something in return: a longer term, a case study or faster signature.",
    ),
    (
        "upsell at renewal",
        "Growing revenue from existing clients at contract anniversary",
        "Review usage ninety days before the term ends and propose the next tier where seats are maxed out.",
    ),
    (
        "meeting no-show",
        "When the prospect misses the scheduled appointment",
        "Wait five minutes, then email a friendly note with two new slots; never sound annoyed.",
    ),
    (
        "boss wants bigger pipeline",
        "Filling the funnel when your manager asks for more opportunities",
        "Block outbound time daily and reactivate closed-lost accounts from last year.",
    ),
    (
        "nervous before first call",
        "Calm the jitters ahead of an initial conversation with a new lead",
        "Rehearse your opener aloud, prepare three questions and remember they agreed to talk.",
    ),
    (
        "buyer asks for references",
        "Line up happy customers who will vouch for us",
        "Keep a list of advocates by industry and ask their permission before sharing contact details.",
    ),
    (
        "long sales cycle",
        "Keeping a deal moving when approvals take many months",
        "Agree the steps to signature with the sponsor and check in every two weeks with something useful.",
    ),
    (
        "upset customer escalation",
        "Calming an angry client who demands a manager",
        "Listen fully, restate the problem, and commit to a specific fix and date in writing.",
    ),
]
DISTRACTORS = [
    (
        "Prepare three questions before every discovery call",
        "Write them down and send them ahead so the prospect comes ready.",
    ),
    (
        "Log every meeting in the CRM the same day",
        "Notes written later lose the details managers need for forecasting.",
    ),
    (
        "Use case studies from the same industry",
        "Buyers trust stories from companies that look like theirs.",
    ),
    (
        "Quarterly business review template for enterprise accounts",
        "Cover outcomes, adoption, open issues and next quarter's goals.",
    ),
    (
        "Send a recap within an hour of the meeting",
        "List decisions, owners and dates while everyone still remembers.",
    ),
    (
        "Map the org chart on LinkedIn before the first call",
        "Know who reports to whom and who signed similar purchases.",
    ),
    (
        "Negotiating payment terms with finance teams",
        "Net 60 is common in enterprise; offer it in exchange for a multi-year commitment.",
    ),
    (
        "Onboarding checklist for new reps",
        "Tools, shadowing sessions, certification and the first ten accounts.",
    ),
    (
        "Security questionnaire: where to find the answers",
        "Start from the trust portal and the latest SOC 2 report before asking engineering.",
    ),
    (
        "Running a pilot with clear success criteria",
        "Agree measurable goals and an end date before any trial starts.",
    ),
    (
        "How to write a mutual action plan",
        "A shared timeline of steps both sides commit to until go-live.",
    ),
    (
        "Time-blocking your prospecting hours",
        "Protect two hours every morning for outbound with notifications off.",
    ),
    (
        "Social selling on LinkedIn without being spammy",
        "Comment on posts thoughtfully before sending any connection request.",
    ),
    (
        "Present ROI with the customer's own numbers",
        "Use the figures they shared in discovery rather than our generic calculator.",
    ),
    (
        "Handling the 'we already have a vendor' objection",
        "Ask what they would change about the current tool, then focus on that gap.",
    ),
    (
        "Handling the 'send me some information' brush-off",
        "Ask which part interests them most so the material is relevant.",
    ),
    (
        "Account planning for the top ten customers",
        "Whitespace, stakeholders, risks and a growth target for each.",
    ),
    (
        "Ask for the next step before the call ends",
        "Put a date in the calendar while both of you are still on the line.",
    ),
    (
        "Storytelling in product demos",
        "Show a day in the life of the user instead of clicking through every menu.",
    ),
    (
        "Qualifying opportunities with MEDDICC",
        "Metrics, economic buyer, decision criteria, process, pain, champion and competition.",
    ),
    (
        "Co-selling with reseller partners",
        "Register the opportunity early and agree who owns each stage.",
    ),
    (
        "Pricing page walkthrough for the Pro plan",
        "Which features are included, seat limits and the annual billing option.",
    ),
    (
        "Expense policy for client dinners",
        "Keep receipts, stay under the per-head limit and note who attended.",
    ),
    (
        "Using video messages in outreach sequences",
        "A thirty-second personal video lifts reply rates on the third touch.",
    ),
    (
        "Coaching call review: what good looks like",
        "Managers score talk ratio, questions asked and next steps agreed.",
    ),
    (
        "Writing a proposal executives will read",
        "One page up front with the problem, outcome, cost and timeline.",
    ),
    (
        "Translating technical features into business value",
        "For each feature, say what it saves, earns or protects.",
    ),
    (
        "Handling data privacy questions from European buyers",
        "Explain GDPR processing, data residency and our DPA.",
    ),
    ("Celebrate closed-won deals in the team channel", "Share what worked so others can copy it."),
    (
        "Forecast categories: commit, best case, pipeline",
        "Only put an opportunity in commit when paperwork is in motion.",
    ),
    (
        "Cold calling opening lines that work",
        "State why you picked them in one sentence and ask permission to continue.",
    ),
    (
        "Run a kickoff meeting after the deal is signed",
        "Introduce the implementation team and confirm the success plan.",
    ),
    (
        "Collecting customer testimonials for marketing",
        "Ask right after a win, offer to draft the quote for approval.",
    ),
    (
        "Territory planning for the new fiscal year",
        "Rank accounts by fit and intent, then split them fairly across the team.",
    ),
    (
        "Respond to inbound leads within five minutes",
        "Speed to lead is the single biggest driver of conversion.",
    ),
    (
        "Build a business case with the CFO",
        "Model payback period and risk in the finance team's own spreadsheet.",
    ),
]

STOP_WORDS = frozenset(
    "a an the to of in on at for with after before is are was went wants this that too many who"
    " what when about up our we you your their it its be as and or by from into than then so some"
    " do does how i my me".split()
)


def content_words(text: str) -> set[str]:
    """Lower-cased words minus stop words, cut to five letters so 'pricing' meets 'price'."""
    return {w[:5] for w in re.findall(r"[a-z]+", text.lower()) if w not in STOP_WORDS and len(w) > 2}


def content_words_shared(query: str, title: str, summary: str) -> set[str]:
    return content_words(query) & content_words(f"{title} {summary}")


def tip_text(title: str, summary: str) -> str:
    """The text embedded for a tip: title and summary together beat the title alone here."""
    return f"{title}. {summary}"


def all_tips() -> list[tuple[str, str]]:
    """(title, summary) of every tip: the targets first, in PAIRS order, then the distractors."""
    return [(title, summary) for _, title, summary in PAIRS] + list(DISTRACTORS)


def target_ranks(search: Callable[[str], list[str]]) -> list[int]:
    """Rank (1 = first) of each query's target title in search(query); 0 when it is missing."""
    ranks = []
    for query, title, _ in PAIRS:
        titles = search(query)
        ranks.append(titles.index(title) + 1 if title in titles else 0)
    return ranks


# Plain words and typos: with meaning on, each keyword hit keeps its place and meaning may only
# add after them. KEYWORD_LIBRARY is what they find, beside the paraphrase set's targets.
KEYWORD_CASES = [
    "procurement",
    "procurment",
    "objection",
    "objection handlign",
    "objektion",
    "payback",
    "CFO",
    "pricing objection",
    "security questionnare",
    "answering machine",
    "lawyers",
]
# (account name, industry)
KEYWORD_ACCOUNTS = [("Acme Health", "Healthcare"), ("Globex Bank", "Financial services")]
# (author: "rep" or "other_rep", title, account name, summary, body, tags)
KEYWORD_TIPS = [
    (
        "other_rep",
        "Getting past procurement",
        "Acme Health",
        "Bring the security questionnaire answered before they ask.",
        "Procurement teams stall on vendor forms; send them first.",
        ["procurement"],
    ),
    (
        "rep",
        "Handling pricing objections with the CFO",
        "Globex Bank",
        "Reframe price as the cost of doing nothing.",
        "When the buyer raises a pricing objection, compare it with the cost of delay.",
        ["objection", "pricing"],
    ),
    (
        "other_rep",
        "Objection handling for the CFO",
        "Globex Bank",
        "Three answers for the finance objection.",
        "Handling objections from finance: lead with payback period.",
        ["objection"],
    ),
]
# (author, text, account name)
KEYWORD_MICROPOSTS = [("rep", "CFO asked for payback period again #objection", "Globex Bank")]

# Queries about nothing in the library: search by meaning must not find anything for them.
NONSENSE = [
    "zebra migration",
    "volcano eruption in iceland",
    "banana bread recipe",
    "knitting patterns for winter",
    "medieval castle architecture",
    "quantum chromodynamics lecture",
    "weather tomorrow",
    "football results",
    "how to bake sourdough",
    "python list comprehension",
    "best hiking trails",
    "cat food brands",
]

# "Already shared?": what a rep starts typing, and the tip (from all_tips) that says the same.
NEAR_DUPLICATES = [
    ("How to re-engage a prospect who stopped answering", "Re-engage a buyer who stopped answering"),
    ("Handling the too expensive objection", "Handling the 'too expensive' objection"),
    (
        "Reaching the decision maker when an assistant screens your calls",
        "Reach the decision maker when an assistant screens calls",
    ),
    ("Save an account that is about to churn", "Saving an account that is about to churn"),
    ("Winning against a cheaper rival", "Winning against a rival with a lower price"),
    ("Recover after a product demo that flopped", "Recovering after a product walkthrough that flopped"),
    ("Turn trade show booth contacts into meetings", "Turning conference booth contacts into meetings"),
    ("Ask happy clients to introduce you to their peers", "Getting happy clients to introduce you to peers"),
    ("What to say when you reach voicemail", "What to say when the phone goes to the answering machine"),
    ("Send a meeting recap within the hour", "Send a recap within an hour of the meeting"),
    ("Log each meeting in the CRM on the same day", "Log every meeting in the CRM the same day"),
    ("Reply to inbound leads in under five minutes", "Respond to inbound leads within five minutes"),
]
# Texts on the same subjects that are not the same tip: the threshold must stay above them.
NOT_DUPLICATES = [
    "Prepare a pricing page walkthrough for the Enterprise plan",
    "Send a break-up email after three unanswered calls",
    "Book the quarterly business review before the renewal",
    "Ask the champion to map the buying committee",
    "Use a discovery call checklist for healthcare accounts",
    "Bring a security engineer to the technical deep dive",
    "Write the proposal summary in the customer's words",
    "Offer a multi-year discount only for an early signature",
    "Share the ROI calculator with the CFO before the demo",
    "Run a win-loss review after every lost deal",
    "Plan the first ninety days of a new account executive",
    "Handle the 'we are locked into a contract' objection",
]
