from django.urls import path

from core.cache import cache_public_page

from . import feeds, views

app_name = "news"

urlpatterns = [
    path("", cache_public_page(views.NewsItemListView.as_view()), name="list"),
    path("documents/<path:name>", views.DocumentView.as_view(), name="document"),
    path("feed/", cache_public_page(feeds.LatestNewsFeed()), name="feed"),
    path("feed/atom/", cache_public_page(feeds.LatestNewsAtomFeed()), name="feed_atom"),
    path("feed/<slug:kind>/", cache_public_page(feeds.LatestNewsFeed()), name="kind_feed"),
    path(
        "feed/<slug:kind>/atom/",
        cache_public_page(feeds.LatestNewsAtomFeed()),
        name="kind_feed_atom",
    ),
    path("<slug:slug>/", cache_public_page(views.NewsItemDetailView.as_view()), name="detail"),
]
