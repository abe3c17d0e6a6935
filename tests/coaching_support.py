"""What the coaching tests share: a caption file, and coaching's part of seed_demo on a tiny demo."""

from .factories import make_rep

VTT = (
    "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\nOpen with the customer's words.\n\n"
    "00:01:23.000 --> 00:01:30.000\nAsk about the cost of doing nothing.\n"
)


def seed_demo_coaching(videos: int = 3, seed: int = 7):
    """Coaching's part of seed_demo on a tiny demo: four reps, a manager and a marketer."""
    import io

    from coaching import demo
    from knowledge.demo import SeedContext, Size

    from .factories import make_manager, make_marketer

    size = Size("tiny", reps=4, accounts=0, tips=0, microposts=0, videos=videos, deals=0, activity_events=0)
    User = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
    for username in ["rep", "rep001", "rep002", "rep003"]:
        if not User.objects.filter(username=username).exists():
            make_rep(username)
    if not User.objects.filter(username="manager").exists():
        make_manager("manager")
        make_marketer("marketing")
    context = SeedContext(size=size, seed=seed, stdout=io.StringIO(), stderr=io.StringIO(), verbosity=0)
    demo.seed(context)
    return context.summary
