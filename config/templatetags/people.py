"""``{{ user|person_name }}``: a person's name on a page, by the rule in ``config.people``.

The filter returns plain text, not safe markup, so the template escapes it like any other value:
a name is what someone typed.
"""

from django import template

from config.people import person_name

register = template.Library()
register.filter("person_name", person_name)
