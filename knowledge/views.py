from django.shortcuts import get_object_or_404, render

from .models import Account


def account_detail(request, pk):
    account = get_object_or_404(Account, pk=pk)
    return render(request, "knowledge/account_detail.html", {"account": account})
