"""pubsmith's builtin format plugins, one module per Cloudsmith format.

Each module is registered through the ``pubsmith.formats`` entry-point group, exactly as a
third-party plugin would be.
"""
