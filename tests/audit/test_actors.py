"""Every actor a service may receive becomes one `{type, id, name}`."""

import pytest

from accounts.tenancy import Tenant, tenant_for_api_key
from audit.actors import PUBLIC_ACTOR, actor_of, public_actor
from tests.factories import UserFactory, make_api_key

pytestmark = pytest.mark.django_db


def test_every_kind_of_actor(workspace):
    user = UserFactory(username="ada", first_name="Ada", last_name="Lovelace")
    key, _ = make_api_key(workspace, name="CRM")
    assert actor_of(None) == {"type": "system", "id": "", "name": "System"}
    assert actor_of("the demo set-up") == {"type": "system", "id": "", "name": "the demo set-up"}
    assert actor_of(user) == {"type": "user", "id": user.pk, "name": "Ada Lovelace"}
    assert actor_of(key) == {"type": "apiKey", "id": key.pk, "name": f"CRM ({key.prefix}…)"}
    assert actor_of(tenant_for_api_key(key)) == actor_of(key)
    member = Tenant(workspace=workspace, scopes=frozenset(), user=user, role="owner")
    assert actor_of(member) == actor_of(user)
    assert actor_of(PUBLIC_ACTOR)["type"] == "public"
    assert actor_of(public_actor("Sam Sun")) == {"type": "public", "id": "", "name": "Sam Sun"}
    public_door = Tenant(workspace=workspace, scopes=frozenset(), extra={"actor": PUBLIC_ACTOR})
    assert actor_of(public_door) == PUBLIC_ACTOR
    with pytest.raises(ValueError):
        actor_of({"type": "robot"})
    with pytest.raises(TypeError):
        actor_of(42)
