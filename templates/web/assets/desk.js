// bizdesk web desk: small progressive enhancements; every page works without script.
