"""Resource classes: one per Twilio resource, thin methods declaring path and model."""
