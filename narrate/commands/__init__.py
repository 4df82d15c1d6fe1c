"""The CLI's commands, one module per capability; narrate.cli assembles them."""
