"""The standalone server: keep-alive HTTP/1.1 for WSGI apps (`http11`, `body`) and
`BackgroundServer` / `serve` (`background`)."""

from trovemock.server.background import BackgroundServer, serve

__all__ = ["BackgroundServer", "serve"]
