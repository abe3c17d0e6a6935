"""Marketing moderates: it approves tips in the default workflow, removes microposts and comments,
curates featured collections and edits the knowledge settings."""

from django.db import migrations

MARKETING_PERMISSIONS = {
    "knowledge": ["change_micropost", "delete_micropost", "add_featuredcollection", "change_featuredcollection",
                  "delete_featuredcollection", "change_knowledgesettings"],
    "django_comments": ["can_moderate"],
}


def ensure_permissions(apps):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None


def forwards(apps, schema_editor):
    ensure_permissions(apps)
    Group = apps.get_model("auth.Group")
    Permission = apps.get_model("auth.Permission")
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowPage = apps.get_model("wagtailcore.WorkflowPage")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore.GroupApprovalTask")

    marketing, _ = Group.objects.get_or_create(name="Marketing")
    for app_label, codenames in MARKETING_PERMISSIONS.items():
        marketing.permissions.add(*Permission.objects.filter(content_type__app_label=app_label,
                                                             codename__in=codenames))

    # The default workflow (on the root page) is the one shared tips enter; Marketing approves it.
    root = Page.objects.filter(depth=1).first()
    assignment = WorkflowPage.objects.filter(page=root).first() if root else None
    workflow = assignment.workflow if assignment else None
    if workflow is None:
        workflow = Workflow.objects.create(name="Marketing approval", active=True)
        if root:
            WorkflowPage.objects.create(page=root, workflow=workflow)
    workflow_task = WorkflowTask.objects.filter(workflow=workflow).order_by("sort_order").first()
    task = GroupApprovalTask.objects.filter(pk=workflow_task.task_id).first() if workflow_task else None
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(app_label="wagtailcore", model="groupapprovaltask")
        task = GroupApprovalTask.objects.create(name="Marketing approval", content_type=content_type, active=True)
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    task.groups.add(marketing)


def backwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_tips_microposts_reactions"),
        ("wagtailcore", "0098_apitoken"),
        ("django_comments", "0004_add_object_pk_is_removed_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
