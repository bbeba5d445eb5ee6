"""The generic API test cases (NetBox's APIViewTestCases shape, for pytest): one mixin per
action, and an endpoint's test class composes the ones it supports, so no test is skipped for
an action the endpoint does not have.

    class TestCustomerAPI(ListTests, RetrieveTests, CreateTests, UpdateTests):
        path = "/api/v1/customers"
        read_scope = "customers:read"
        write_scope = "customers:write"

        def make(self, workspace): return CustomerFactory(workspace=workspace)
        def create_data(self, workspace): return {...}
        update_data = {"phone": "+15550000000"}

`APIViewTests` composes all five. Each mixin brings its action's behaviour: the action itself,
anonymous 401 (list, retrieve), a missing scope 403 (list: read scope, create: write scope),
another workspace's object 404 and absent from the list, a constant number of queries per list
page, and the conditional requests (ETag and If-None-Match on retrieve, If-Match on update and
delete, 428 when it is required).
"""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.scopes import WORKSPACE_SCOPES
from config.versioning import etag_of


class APITestBase:
    """What every mixin relies on; an endpoint's class sets the attributes it needs."""

    path: str = ""
    read_scope: str | None = None
    write_scope: str | None = None
    update_data: dict = {}
    list_query_budget: int | None = None

    # --- what a subclass provides ----------------------------------------------------------
    def make(self, workspace):
        raise NotImplementedError

    def create_data(self, workspace) -> dict:
        raise NotImplementedError

    def detail_path(self, obj) -> str:
        return f"{self.path}/{obj.pk}"

    def assert_deleted(self, client, obj):
        assert client.get(self.detail_path(obj)).status_code == 404

    def listed_ids(self, response) -> set[str]:
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["data"]}

    # --- shared helpers --------------------------------------------------------------------
    def _scopes_without(self, scope):
        assert scope, f"{type(self).__name__} must declare the scope this test removes"
        return [s for s in WORKSPACE_SCOPES if s != scope]

    def _etag(self, client, obj) -> str:
        """The ETag a client sees: from a GET when the endpoint has retrieve, else the row's."""
        if isinstance(self, RetrieveTests):
            response = client.get(self.detail_path(obj))
            assert response.status_code == 200, response.content
            return response["ETag"]
        return etag_of(obj)


class ListTests(APITestBase):
    def test_list(self, api, workspace):
        objs = [self.make(workspace) for _ in range(3)]
        response = api.get(self.path)
        assert response.status_code == 200, response.content
        body = response.json()
        assert {"data", "page", "perPage", "totalItems", "totalPages"} <= set(body)
        assert {o.pk for o in objs} <= self.listed_ids(response)

    def test_list_hides_other_workspace(self, api, workspace, other_workspace):
        mine = self.make(workspace)
        theirs = self.make(other_workspace)
        ids = self.listed_ids(api.get(self.path, {"perPage": 100}))
        assert mine.pk in ids
        assert theirs.pk not in ids

    def test_list_query_count_is_constant(self, api, workspace):
        self.make(workspace)
        assert api.get(self.path).status_code == 200  # warm-up: the key's lastUsedAt
        with CaptureQueriesContext(connection) as one:
            assert api.get(self.path).status_code == 200
        for _ in range(5):
            self.make(workspace)
        with CaptureQueriesContext(connection) as many:
            assert api.get(self.path).status_code == 200
        assert len(many) == len(one), [q["sql"] for q in many.captured_queries]
        if self.list_query_budget is not None:
            assert len(many) <= self.list_query_budget

    def test_list_anonymous_is_401(self, anon, workspace):
        self.make(workspace)
        response = anon.get(self.path)
        assert response.status_code == 401
        assert response.json()["code"] == "UNAUTHENTICATED"

    def test_missing_read_scope_is_403(self, api_client_for, workspace):
        client = api_client_for(workspace, scopes=self._scopes_without(self.read_scope))
        response = client.get(self.path)
        assert response.status_code == 403
        assert self.read_scope in response.json()["message"]


class RetrieveTests(APITestBase):
    def test_retrieve(self, api, workspace):
        obj = self.make(workspace)
        response = api.get(self.detail_path(obj))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == obj.pk

    def test_retrieve_other_workspace_is_404(self, api, other_workspace):
        theirs = self.make(other_workspace)
        response = api.get(self.detail_path(theirs))
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"

    def test_retrieve_anonymous_is_401(self, anon, workspace):
        obj = self.make(workspace)
        response = anon.get(self.detail_path(obj))
        assert response.status_code == 401
        assert response.json()["code"] == "UNAUTHENTICATED"

    def test_retrieve_has_strong_etag_and_if_none_match_is_304(self, api, workspace):
        obj = self.make(workspace)
        etag = self._etag(api, obj)
        obj.refresh_from_db()
        assert etag == etag_of(obj)
        if hasattr(obj, "version"):
            assert etag == f'"{obj.pk}.{obj.version}"'  # the row's version, not the JSON
        response = api.get(self.detail_path(obj), HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        assert response.content == b""
        assert response["ETag"] == etag
        assert api.get(self.detail_path(obj), HTTP_IF_NONE_MATCH='"other"').status_code == 200


class CreateTests(APITestBase):
    def test_create(self, api, workspace):
        response = api.post(self.path, self.create_data(workspace), format="json")
        assert response.status_code == 201, response.content
        created_id = response.json()["id"]
        if isinstance(self, RetrieveTests):
            assert api.get(f"{self.path}/{created_id}").status_code == 200

    def test_create_rejects_unknown_fields(self, api, workspace):
        data = {**self.create_data(workspace), "surelyNotAField": 1}
        response = api.post(self.path, data, format="json")
        assert response.status_code == 400
        assert "surelyNotAField" in response.json()["message"]

    def test_missing_write_scope_is_403(self, api_client_for, workspace):
        client = api_client_for(workspace, scopes=self._scopes_without(self.write_scope))
        response = client.post(self.path, self.create_data(workspace), format="json")
        assert response.status_code == 403
        assert self.write_scope in response.json()["message"]


class UpdateTests(APITestBase):
    def test_update(self, api, workspace):
        obj = self.make(workspace)
        response = api.patch(self.detail_path(obj), self.update_data, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        for key, value in self.update_data.items():
            assert body[key] == value, key

    def test_update_other_workspace_is_404(self, api, other_workspace):
        theirs = self.make(other_workspace)
        response = api.patch(self.detail_path(theirs), self.update_data, format="json")
        assert response.status_code == 404

    def test_update_with_if_match(self, api, workspace):
        obj = self.make(workspace)
        etag = self._etag(api, obj)
        response = api.patch(self.detail_path(obj), self.update_data, HTTP_IF_MATCH=etag)
        assert response.status_code == 200, response.content
        new_etag = response["ETag"]
        assert new_etag != etag
        if isinstance(self, RetrieveTests):
            assert self._etag(api, obj) == new_etag
            assert api.get(self.detail_path(obj), HTTP_IF_NONE_MATCH=etag).status_code == 200
        # A client that read before that change is refused, and told the current ETag.
        stale = api.patch(self.detail_path(obj), self.update_data, HTTP_IF_MATCH=etag)
        assert stale.status_code == 412, stale.content
        assert stale.json()["code"] == "PRECONDITION_FAILED"
        assert stale.json()["details"]["etag"] == new_etag

    def test_update_requires_if_match_when_the_workspace_or_key_says_so(self, api, workspace):
        obj = self.make(workspace)
        api.api_key.require_if_match = True
        api.api_key.save()
        response = api.patch(self.detail_path(obj), self.update_data)
        assert response.status_code == 428, response.content
        assert response.json()["code"] == "PRECONDITION_REQUIRED"
        api.api_key.require_if_match = False
        api.api_key.save()
        assert api.patch(self.detail_path(obj), self.update_data).status_code == 200
        workspace.require_if_match = True
        workspace.save()
        assert api.patch(self.detail_path(obj), self.update_data).status_code == 428
        etag = self._etag(api, obj)
        ok = api.patch(self.detail_path(obj), self.update_data, HTTP_IF_MATCH=etag)
        assert ok.status_code == 200, ok.content


class DeleteTests(APITestBase):
    def test_delete(self, api, workspace):
        obj = self.make(workspace)
        response = api.delete(self.detail_path(obj))
        assert response.status_code == 204, response.content
        self.assert_deleted(api, obj)

    def test_delete_other_workspace_is_404(self, api, other_workspace):
        theirs = self.make(other_workspace)
        assert api.delete(self.detail_path(theirs)).status_code == 404
        assert type(theirs).objects.filter(pk=theirs.pk).exists()

    def test_delete_with_stale_if_match_is_412(self, api, workspace):
        obj = self.make(workspace)
        response = api.delete(self.detail_path(obj), HTTP_IF_MATCH='"stale.0"')
        assert response.status_code == 412
        assert response.json()["details"]["etag"] == self._etag(api, obj)
        current = self._etag(api, obj)
        assert api.delete(self.detail_path(obj), HTTP_IF_MATCH=current).status_code == 204


class APIViewTests(ListTests, RetrieveTests, CreateTests, UpdateTests, DeleteTests):
    """Every action: list, retrieve, create, update, delete."""
