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

# People were mentioned in an item (a micropost, a comment) for the first time; each is told once.
# sender=the item's model; kwargs: instance (the item), target (the content it is on: the post
# itself, or the commented content), users (those to tell), author, url (the item on the site)
mentioned = Signal()

# A comment was posted on shared content. Each of content_author and parent_author (a reply's
# parent comment's author) is None when absent or the commenter. sender=XtdComment;
# kwargs: comment, target, commenter, content_author, parent_author, url
commented = Signal()

# Marketing verified or retired tips. sender=TipPage; kwargs: tip_ids, fields (what was set)
curated = Signal()
