from django.views.generic import DetailView


class PreviewableDetailView(DetailView):
    """A public page that staff may also open before it is published (a preview with a
    banner); everyone else gets a 404 until the item is live."""

    def get_queryset(self):
        opts = self.model._meta
        if self.request.user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return self.model._default_manager.all()
        return self.model._default_manager.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview_status"] = None if self.object.is_live else self.object.status
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["preview_status"]:
            response["X-Robots-Tag"] = "noindex"
            response["Cache-Control"] = "private, no-store"
        return response
