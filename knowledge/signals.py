"""Signals that knowledge (and coaching) send so that other apps can record activity.

Knowledge knows nothing of the leaderboard: it sends these, the leaderboard listens.
Every signal is sent with ``sender`` = the model class of ``instance``.
"""

from django.dispatch import Signal

# A user opened a piece of content (at most once per user, item and day; never the author).
# kwargs: instance, user
viewed = Signal()

# A user shared a piece of content (a tip published, a micropost posted, a video, a pitch).
# kwargs: instance, user
shared = Signal()

# A user marked a piece of content helpful (undone=False) or took the mark back (undone=True).
# kwargs: instance, user, author, undone
helpful_marked = Signal()
