from django.contrib.auth.decorators import login_required
from django.shortcuts import render


def register(request):
    return render(request, "accounts/register.html")


@login_required
def profile(request):
    return render(request, "accounts/profile.html")
