"""How each kind of pool's machines come to exist: one module per `provisioner.type`."""
