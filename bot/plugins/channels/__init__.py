"""Input channels, one module per platform, registered in credentials.yml by module path."""
