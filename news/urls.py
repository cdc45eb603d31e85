from django.urls import path

from . import feeds, views

app_name = "news"

urlpatterns = [
    path("", views.NewsItemListView.as_view(), name="list"),
    path("documents/<path:name>", views.DocumentView.as_view(), name="document"),
    path("feed/", feeds.LatestNewsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestNewsAtomFeed(), name="feed_atom"),
    path("feed/<slug:kind>/", feeds.LatestNewsFeed(), name="kind_feed"),
    path("feed/<slug:kind>/atom/", feeds.LatestNewsAtomFeed(), name="kind_feed_atom"),
    path("<slug:slug>/", views.NewsItemDetailView.as_view(), name="detail"),
]
