from django.http import Http404


def home(request):
    raise Http404  # the app's pages are being built
