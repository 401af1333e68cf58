"""The signed-in user's own API tokens: list, create (the key is shown once), revoke."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from fairthread.accounts.models import ApiToken
from fairthread.accounts.tokens import create_token as create_token_service
from fairthread.accounts.tokens import revoke_token
from fairthread.api.common import get_visible, guard, user_of
from fairthread.api.schemas import Error, TokenCreated, TokenIn, TokenOut, ValidationErrors

router = Router(tags=["tokens"])


@router.get("/tokens", response=list[TokenOut], operation_id="list_tokens",
            **guard("manage", "api_token"), summary="Your API tokens")
def list_tokens(request: HttpRequest) -> Any:
    user = user_of(request)
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


@router.post("/tokens", response={201: TokenCreated, 422: ValidationErrors}, operation_id="create_token",
             **guard("manage", "api_token"),
             summary="Create an API token (the key is shown once)")
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    user = user_of(request)
    token, raw = create_token_service(user, payload.name, by=user)
    return Status(201, {**TokenOut.model_validate(token).model_dump(), "key": raw})


@router.delete("/tokens/{token_id}", response={204: None, 404: Error}, operation_id="revoke_token",
               **guard("manage", "api_token"), summary="Revoke one of your API tokens")
def delete_token(request: HttpRequest, token_id: int) -> HttpResponse:
    user = user_of(request)
    # Only one's own tokens are addressable here; anyone else's is "not found".
    revoke_token(get_visible(ApiToken.objects.filter(user=user), pk=token_id), by=user)
    return HttpResponse(status=204)
