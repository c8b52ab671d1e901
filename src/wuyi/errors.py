"""Domain errors: what a service raises when input is wrong, and what API and pages show for it."""


class DomainError(Exception):
    """Bad input or a refused operation: becomes a 4xx with {code, message, field}."""

    status = 400

    def __init__(self, code: str, message: str, field: str | None = None, status: int | None = None):
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.field = field
        if status is not None:
            self.status = status

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class NotFound(DomainError):
    status = 404

    def __init__(self, what: str, field: str | None = None):
        super().__init__("not_found", f"{what} not found", field)


class Forbidden(DomainError):
    status = 403

    def __init__(self, message: str = "not allowed", field: str | None = None):
        super().__init__("forbidden", message, field)
