"""Dashboard forms, one module per area. They validate input shape; services own the rules."""
