"""The customers' door: the public, white-labeled enrollment page, its status page and the
invitation links. Views are thin; every rule is in the enrollments and instances services."""
