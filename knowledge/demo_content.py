"""Realistic sales tips and posts for the demo site (``seed_demo``); words only, no logic."""

# Each tip: title, summary, stage, tags, paragraphs, and optional talk track, objection, checklist.
TIPS = [
    {
        "title": "Re-engage a buyer who stopped answering",
        "stage": "negotiation",
        "tags": ["ghosting", "follow-up", "email"],
        "summary": "A short, honest break-up e-mail gets a reply more often than a fifth check-in.",
        "body": [
            "After two unanswered follow-ups, stop asking for a call. Send three lines that make it easy to say no.",
            "Most buyers reply within a day, usually with the real reason the deal stalled: budget moved, a new "
            "stakeholder, or a competing project.",
        ],
        "talk_track": "Hi Sam, I haven't heard back, so I'm guessing priorities have shifted. Should I close the file "
        "for now, or is it worth a 10-minute call to see if the timing is just off?",
        "checklist": [
            "Wait at least 5 working days after the last touch",
            "Keep it under 60 words",
            "Offer a clear yes/no choice",
            "Log the reason they give in the CRM",
        ],
    },
    {
        "title": "Handling the 'too expensive' objection",
        "stage": "negotiation",
        "tags": ["pricing", "objection-handling"],
        "summary": "Don't defend the price; take the buyer back to the cost of the problem they told you about.",
        "body": [
            "'Too expensive' usually means 'I can't yet justify it to someone else'. Ask what they're comparing "
            "the price to before you move on anything.",
            "Anchor on the number from discovery: hours lost, churn, penalties. If you never got one, that's the "
            "real gap, not the price.",
        ],
        "objection": "Honestly, this is more than we were planning to spend.",
        "response": "That's fair. Compared to what: another tool, doing nothing, or the budget line? Last month you "
        "estimated the manual reconciliation costs about 30 hours a week. Can we put the two numbers side "
        "by side for your CFO?",
    },
    {
        "title": "Getting past procurement",
        "stage": "closing",
        "tags": ["procurement", "closing", "legal"],
        "summary": "Start the vendor-onboarding paperwork in week one, not after the verbal yes.",
        "body": [
            "Procurement rarely kills a deal; it delays it into next quarter. Ask your champion on the first "
            "call who owns vendor onboarding and what they will need.",
            "Send the security questionnaire, insurance certificate and standard MSA early, so legal reviews run "
            "in parallel with the evaluation.",
        ],
        "checklist": [
            "Ask for the procurement contact in discovery",
            "Share the security pack up front",
            "Agree redline turnaround times",
            "Confirm the PO process and who signs",
        ],
    },
    {
        "title": "Find a champion before the demo",
        "stage": "discovery",
        "tags": ["champion", "discovery", "meddic"],
        "summary": "A champion has influence and a personal win; a fan only likes you.",
        "body": [
            "Test your contact: will they share the internal evaluation criteria, and introduce you to the "
            "economic buyer? If not, you have a coach at best.",
            "Ask what they personally get if the project lands: promotion, fewer late nights, a board metric.",
        ],
        "talk_track": "If we get this right, what changes for you personally six months from now?",
    },
    {
        "title": "Open discovery with their last failed attempt",
        "stage": "discovery",
        "tags": ["discovery", "questions"],
        "summary": "Asking what they tried before surfaces the real pain and the internal politics.",
        "body": [
            "Everyone has tried to fix the problem before, with a spreadsheet, an intern, or a competitor. "
            "Ask what happened. The answer tells you the criteria that matter and who got burned."
        ],
        "talk_track": "Before we get into our product: what have you already tried, and why didn't it stick?",
    },
    {
        "title": "Multi-thread before the proposal",
        "stage": "proposal",
        "tags": ["multi-threading", "champion"],
        "summary": "Deals with three or more engaged contacts close at twice the rate of single-threaded ones.",
        "body": [
            "If your champion leaves or goes quiet, a single-threaded deal dies. Ask your champion who else "
            "will be affected and offer to run a short session for their team."
        ],
        "checklist": [
            "Map the buying group on one slide",
            "Meet finance before pricing",
            "Get IT involved before the security review",
        ],
    },
    {
        "title": "Price in three options, not one",
        "stage": "proposal",
        "tags": ["pricing", "proposal"],
        "summary": "Good-better-best proposals move the conversation from 'whether' to 'which'.",
        "body": [
            "A single number invites a yes/no and a discount request. Three options let the buyer choose scope "
            "instead of haggling, and most pick the middle one."
        ],
    },
    {
        "title": "Renewal: review value 120 days out",
        "stage": "renewal",
        "tags": ["renewal", "customer-success"],
        "summary": "The renewal is decided months before the paperwork; show the value while there's time to fix gaps.",
        "body": [
            "Book a value review four months before renewal. Bring usage numbers and the goals from the original "
            "business case, and ask what would make next year a clear yes."
        ],
        "objection": "We're thinking of consolidating vendors next year.",
        "response": "That makes sense. Which outcomes would the consolidated tool need to cover? Let's check our "
        "usage against that list together so you have the facts for the decision.",
    },
    {
        "title": "Handling 'we're happy with our current vendor'",
        "stage": "prospecting",
        "tags": ["objection-handling", "competitor"],
        "summary": "Agree, then ask what they would change if they could change one thing.",
        "body": [
            "Arguing with satisfaction makes people defend their choice. Ask about the one thing they'd improve "
            "and whether it's on anyone's list this year."
        ],
        "objection": "We're happy with what we have.",
        "response": "Glad to hear it; switching is painful. If you could change one thing about it, what would it be?",
    },
    {
        "title": "Cold call opener that earns 30 seconds",
        "stage": "prospecting",
        "tags": ["cold-calling", "prospecting"],
        "summary": "Say why you're calling and give them an easy way out; it lowers the guard.",
        "body": [
            "Permission-based openers outperform pitches. Be honest that it's a cold call and name the problem "
            "you usually solve for people in their role."
        ],
        "talk_track": "Hi Alex, this is a cold call; do you want to hang up, or give me 30 seconds to tell you why I "
        "called?",
    },
    {
        "title": "Send a mutual action plan after the demo",
        "stage": "demo",
        "tags": ["mutual-action-plan", "demo"],
        "summary": "A shared timeline with owners turns a good demo into a committed next step.",
        "body": [
            "Within 24 hours of the demo, send a one-page plan: steps, owners on both sides, and the go-live "
            "date they told you they need. Ask them to correct it; edits mean engagement."
        ],
        "checklist": [
            "Work back from their go-live date",
            "Name an owner on their side for each step",
            "Include procurement and security steps",
            "Review it on every call",
        ],
    },
    {
        "title": "Demo the three things they asked about, then stop",
        "stage": "demo",
        "tags": ["demo", "discovery"],
        "summary": "A tailored 20-minute demo beats the full tour.",
        "body": [
            "Open the demo by replaying the three problems from discovery and show only those. Leave time for "
            "them to drive; questions are buying signals."
        ],
    },
    {
        "title": "When legal sends a 40-page redline",
        "stage": "closing",
        "tags": ["legal", "closing", "procurement"],
        "summary": "Triage the redline into must-haves and nice-to-haves with their lawyer on a call.",
        "body": [
            "Long redlines are often a template. Ask for a call with their counsel and your legal team, and go "
            "through the clauses that matter to them; most of the rest gets dropped."
        ],
    },
    {
        "title": "Discount only for something in return",
        "stage": "negotiation",
        "tags": ["pricing", "negotiation"],
        "summary": "Every concession should buy a term: length, volume, timing or a case study.",
        "body": [
            "Unconditional discounts teach buyers to wait for more. Trade: a two-year term, a signed order this "
            "month, or a reference call."
        ],
        "talk_track": "I can look at that price if we can agree on a two-year term. Would that work for your team?",
    },
    {
        "title": "Ask for the budget owner by name",
        "stage": "discovery",
        "tags": ["budget", "discovery", "meddic"],
        "summary": "'Who signs?' is vague; 'whose budget does this come from?' gets a name.",
        "body": [
            "Buyers often don't know who signs, but they know whose budget pays. Ask it early and write the "
            "name in the opportunity."
        ],
    },
    {
        "title": "Use a customer story from the same industry",
        "stage": "demo",
        "tags": ["storytelling", "references"],
        "summary": "One short story from a peer company beats five slides of features.",
        "body": [
            "Pick a story with the same role, the same problem and a number. Tell it in under a minute, then "
            "ask whether their situation is similar."
        ],
    },
    {
        "title": "Beat the incumbent on switching cost",
        "stage": "proposal",
        "tags": ["competitor", "migration"],
        "summary": "Buyers stay with incumbents because switching looks risky; make the migration plan the pitch.",
        "body": [
            "Offer a migration plan with dates, a named engineer and a rollback option. It takes the main "
            "reason to stay off the table."
        ],
        "checklist": [
            "Estimate the migration effort honestly",
            "Offer a pilot on one team",
            "Show a rollback plan",
        ],
    },
    {
        "title": "Executive sponsor e-mail that gets read",
        "stage": "proposal",
        "tags": ["executive", "email"],
        "summary": "Three sentences: their goal, the risk of waiting, one ask.",
        "body": [
            "Executives read the first two lines on a phone. Lead with the outcome they care about, in their "
            "words, and end with one concrete ask."
        ],
    },
    {
        "title": "Qualify out early and politely",
        "stage": "prospecting",
        "tags": ["qualification", "prospecting"],
        "summary": "A fast no frees time for deals that can close.",
        "body": [
            "If there's no pain, no budget holder and no timeline after two calls, say so and offer to check "
            "back next quarter. Buyers respect it, and some come back sooner."
        ],
    },
    {
        "title": "Renewal with a new stakeholder",
        "stage": "renewal",
        "tags": ["renewal", "champion", "multi-threading"],
        "summary": "When your champion leaves, re-sell to the new owner as if it were a new deal.",
        "body": [
            "Book an intro within two weeks of the change. Bring the original business case and results, and "
            "ask what their own goals are for the year."
        ],
    },
]

MICROPOSTS = [
    "Break-up e-mail worked again: Globex replied within an hour after 3 weeks of silence #ghosting #follow-up",
    "Tip from @{mention}: ask 'compared to what?' when they say it's too expensive. Saved a deal today #pricing",
    "Procurement at Initech wants the security pack before the demo. Sending it early from now on #procurement",
    "Multi-threading paid off: finance joined the call and asked for the 2-year option #multi-threading",
    "Cold call opener 'this is a cold call, want to hang up?' got 4 meetings this week #cold-calling",
    "Champion at Umbrella Health is moving teams. Anyone know their new VP of Ops? @{mention} #champion",
    "Mutual action plan signed off by their IT lead today. Go-live in 6 weeks #mutual-action-plan",
    "Renewal review 120 days out flagged a usage gap; fixed it before it became a churn risk #renewal",
    "Demo'd only the three things from discovery, finished in 18 minutes, they asked for pricing #demo",
    "Legal sent a 40-page redline; a 30-minute call with their counsel cut it to 4 clauses #legal",
    "Competitor offered 40% off. We won on the migration plan, not price #competitor #pricing",
    "Thanks @{mention} for the Vandelay intro, the budget owner is now in the loop #budget",
    "Asked 'what did you try before?' and learned they burned out two interns on spreadsheets #discovery",
    "Three-option proposal: they picked the middle one in under a week #pricing #proposal",
    "Customer story from another hospital closed the gap with the clinical lead #storytelling",
]

COLLECTIONS = [
    (
        "Onboarding essentials",
        "Start here: the tips every new rep should read in week one.",
        [
            "Find a champion before the demo",
            "Open discovery with their last failed attempt",
            "Send a mutual action plan after the demo",
            "Cold call opener that earns 30 seconds",
        ],
    ),
    (
        "Beating the incumbent",
        "How we win against the vendor they already have.",
        [
            "Beat the incumbent on switching cost",
            "Handling 'we're happy with our current vendor'",
            "Price in three options, not one",
        ],
    ),
]

FEATURED = [
    "Re-engage a buyer who stopped answering",
    "Handling the 'too expensive' objection",
    "Getting past procurement",
]

GUIDELINES = (
    "<p>Share what worked, in your own words, so a teammate can use it tomorrow.</p>"
    "<ul><li>Name the account and the stage.</li><li>Say what you said, and what the buyer said back."
    "</li><li>No prices from contracts, no personal data about buyers.</li></ul>"
)

PRODUCTS = ["Huddle Analytics", "Huddle Sync", "Huddle Platform", ""]
