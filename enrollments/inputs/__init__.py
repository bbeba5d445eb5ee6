"""The enrollment's input spec: every field a person or a client may give, declared once.

Each `InputField` says what the field is called (the domain's name, the API's name, the words a
person reads, in English and Spanish through the catalogue), what it holds, its limits and how
it is normalised. `clean_input` applies the spec and is what `enrollment_create`,
`enrollment_update` and the importer call, so every door stores the same value or refuses
with the same words on the same field. The doors build their own inputs from it:

- the API's request serializer (`enrollments.api.serializers`, one DRF field per spec field
  that calls `InputField.clean`, with the OpenAPI schema from the same limits);
- the dashboard's enrollment form (`dashboard.forms.enrollments`);
- the public page's presenter (`enroll.presenter`: labels, input types, the State and Device
  type choice lists);
- the import's column map (`enrollments.imports.columns`: labels and header spellings).

Details of a refusal name the field in snake_case (the API's exception handler camelizes);
messages are plain words that never mention a field's API name.

The package: `field` (one field and how its value is cleaned), `spec` (the enrollment's fields
and `clean_input`), `forms` (the bridge to an instance's form config).
"""
