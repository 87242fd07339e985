"""Home page and network map."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {})


def map_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/map.html", {})
