"""The platform every app stands on. Imports only Django and libraries, never an app."""
