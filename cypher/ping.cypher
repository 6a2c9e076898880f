// A round trip, to tell whether the server answers (the health check).
RETURN 1 AS ok
