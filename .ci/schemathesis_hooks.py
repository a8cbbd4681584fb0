"""Schemathesis hooks: rules of the API that JSON Schema cannot state (the server answers 400
to each, as it should, so generating them as "valid" requests would be a false alarm).

- An article cannot be a translation of itself.
- On PUT, an id in the body must be the id in the URL.
The id may come from the URL (PUT) or the body (POST): no schema keyword compares the two.
"""
import schemathesis


@schemathesis.hook
def filter_case(ctx, case):
    body = case.body if isinstance(case.body, dict) else {}
    path_id = (case.path_parameters or {}).get("id")
    if path_id is not None and "id" in body and body["id"] != path_id and case.method.upper() == "PUT":
        return False
    own = path_id or body.get("id")
    return own is None or body.get("translation_of") != own
