"""The search page's form: the shared search parameters with GOV.UK classes."""

from portal.frontend.forms import GovukFormMixin
from portal.marketplace.search.params import SearchParams


class SearchForm(GovukFormMixin, SearchParams):
    pass
