"""Models: frozen attrs classes with the JSON field names of Twilio's resources."""
