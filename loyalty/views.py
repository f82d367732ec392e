"""«Мои баллы», the rewards catalog and the charity funds. The POSTs call
loyalty.services; a refusal comes back as a message and nothing is taken."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.access import require
from accounts.roles import Capability, can
from loyalty import selectors, services
from loyalty.forms import DonationForm, RedeemForm
from loyalty.models import ProgrammeSettings
from loyalty.templatetags.points import points

PAGE_SIZE = 30


def _errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@login_required
@require_GET
def my_points(request):
    require(request.user, Capability.EARN_POINTS)
    page = Paginator(selectors.history(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "loyalty/my_points.html",
        {
            "balance": selectors.balance(request.user),
            "earned_today": selectors.earned_today(request.user),
            "programme": ProgrammeSettings.load(),
            "page": page,
            "codes": selectors.codes_received(request.user),
            "tab": "mine",
        },
    )


@require_GET
def rewards(request):
    member = can(request.user, Capability.EARN_POINTS)
    balance = selectors.balance(request.user) if member else None
    items = list(selectors.catalog())
    for reward in items:
        reward.form = RedeemForm.fresh()
        reward.short = max(reward.price - balance, 0) if member else 0
    return render(
        request,
        "loyalty/rewards.html",
        {
            "rewards": items,
            "member": member,
            "balance": balance,
            "tab": "rewards",
        },
    )


@login_required
@require_POST
def redeem(request, pk: int):
    require(request.user, Capability.EARN_POINTS)
    form = RedeemForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("loyalty:rewards")
    try:
        code = services.redeem(request.user, pk, key=form.cleaned_data["key"])
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("loyalty:rewards")
    messages.success(
        request,
        f"Поощрение «{code.reward.title}» ваше. Код: {code.value}. "
        f"Списано: {points(code.reward.price)}; код сохранён в разделе «Мои баллы».",
    )
    return redirect(reverse("loyalty:my-points") + "#codes")


@require_GET
def funds(request):
    member = can(request.user, Capability.EARN_POINTS)
    items = list(selectors.funds())
    for fund in items:
        fund.form = DonationForm.fresh(fund.pk)
    return render(
        request,
        "loyalty/funds.html",
        {
            "funds": items,
            "member": member,
            "balance": selectors.balance(request.user) if member else None,
            "tab": "funds",
        },
    )


@login_required
@require_POST
def donate(request, pk: int):
    require(request.user, Capability.EARN_POINTS)
    form = DonationForm(request.POST, prefix=f"fund-{pk}")
    if not form.is_valid():
        _errors(request, form)
        return redirect(reverse("loyalty:funds") + f"#fund-{pk}")
    try:
        donation = services.donate(
            request.user, pk, form.cleaned_data["amount"], key=form.cleaned_data["key"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(reverse("loyalty:funds") + f"#fund-{pk}")
    messages.success(request, f"Спасибо! В фонд «{donation.fund.name}» передано: {points(donation.amount)}.")
    return redirect(reverse("loyalty:funds") + f"#fund-{pk}")
