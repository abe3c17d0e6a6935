"""StreamField blocks of a tip's body; each renders with a template in templates/blocks/."""

from wagtail import blocks

PARAGRAPH_FEATURES = ["bold", "italic", "link", "ol", "ul"]


def stream_text(value) -> str:
    """The plain words of a StreamField value, for snippets and meaning vectors.

    Each block gives its own searchable content, as Wagtail indexes it: rich text has its
    tags stripped and its entities decoded ("Don&#x27;t" is "Don't"), so the snippet that
    escapes it does so once. Plain text blocks are taken as typed.
    """
    return " ".join(part for part in value.stream_block.get_searchable_content(value) if part)


class TalkTrackBlock(blocks.TextBlock):
    """Words a rep can say as they are, shown as a script."""

    class Meta:
        icon = "openquote"
        template = "blocks/talk_track.html"
        label = "Talk track"


class ObjectionBlock(blocks.StructBlock):
    objection = blocks.CharBlock(max_length=300, help_text="What the buyer says.")
    response = blocks.TextBlock(help_text="What worked as an answer.")

    class Meta:
        icon = "help"
        template = "blocks/objection.html"
        label = "Objection and response"


class ChecklistBlock(blocks.ListBlock):
    def __init__(self, **kwargs):
        super().__init__(blocks.CharBlock(max_length=300, label="Step"), **kwargs)

    class Meta:
        icon = "list-ul"
        template = "blocks/checklist.html"
        label = "Checklist"


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock()
    source = blocks.CharBlock(required=False, max_length=200, help_text="Who said it (optional).")

    class Meta:
        icon = "openquote"
        template = "blocks/quote.html"
        label = "Quote"


class LinkBlock(blocks.StructBlock):
    url = blocks.URLBlock(label="URL")
    text = blocks.CharBlock(required=False, max_length=200)

    class Meta:
        icon = "link"
        template = "blocks/link.html"
        label = "Link"


class TipBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=PARAGRAPH_FEATURES, template="blocks/paragraph.html")
    talk_track = TalkTrackBlock()
    objection = ObjectionBlock()
    checklist = ChecklistBlock()
    quote = QuoteBlock()
    link = LinkBlock()
