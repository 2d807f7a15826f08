"""The hub's handlers, one module per area; each module's ROUTES goes into kiosk.hub.app's route table."""
