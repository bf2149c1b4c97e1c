from portal.platform.core.errors import Conflict


class NumberAlreadyIssued(Conflict):
    code = "registry.number_already_issued"
