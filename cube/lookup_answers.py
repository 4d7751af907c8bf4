"""The JSON answer of a lookup endpoint: ``?q=`` searches, ``?ids=1&ids=2`` names chosen values again."""

from __future__ import annotations

from flask import abort, jsonify, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from cube.i18n import number
from cube.lookups import LOOKUP_LIMIT, Among, Search
from cube.parsing import optional_int


def answer(search: Search, among: Among) -> Response:
    """``[{"value", "text", "optgroup"?}]``: the matches of ``q`` (blank: none), or the offered ones among ``ids``.

    More than ``LOOKUP_LIMIT`` ids, or one that is no id, is a bad request (400).
    """
    raw_ids = request.args.getlist("ids")
    if raw_ids:
        ids = [optional_int(value) for value in raw_ids]
        if len(ids) > LOOKUP_LIMIT or None in ids:
            abort(400, _("Ask for at most %(limit)s ids, each a record number.", limit=number(LOOKUP_LIMIT)))
        options = among({i for i in ids if i is not None})
    else:
        term = request.args.get("q", "")
        options = search(term) if term.strip() else []
    return jsonify([option.as_json() for option in options])
