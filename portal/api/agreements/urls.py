"""URLs of this area: ``public_urlpatterns`` on the national site, ``tenant_urlpatterns`` on a municipality's."""

public_urlpatterns: list = []
tenant_urlpatterns: list = []
