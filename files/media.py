"""Uploaded files are served from the site's own origin, where the page policy allows
`script-src 'self'`: an HTML or SVG file that reached storage would run script as the site. So
every uploaded file (media, documents, the pictures of reports' first pages) gets a policy of its
own: it may load and run nothing, and is not a page of this origin."""

from django.views.static import serve as static_serve

# `sandbox` puts the document in an origin of its own, with no script: an uploaded file is never
# a page of the site.
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
# Chrome's and Safari's PDF viewers show a blank page for a sandboxed PDF
# (https://crbug.com/413851): a PDF, sent as application/pdf with nosniff, is never read as HTML,
# and `default-src 'none'` still forbids any script.
PDF_POLICY = "default-src 'none'; frame-ancestors 'none'"


def protect_file(response):
    """Mark `response`, an uploaded file, so that it can run no script as the site. The page
    policy (core.security.CSPMiddleware) leaves a response that has its own alone."""
    is_pdf = response.get("Content-Type", "").startswith("application/pdf")
    response["Content-Security-Policy"] = PDF_POLICY if is_pdf else FILE_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    return response


def serve(request, path, document_root=None):
    """django.views.static.serve for MEDIA_ROOT (MPED_SERVE_MEDIA), with protect_file()."""
    return protect_file(static_serve(request, path, document_root=document_root))
