"""Process plumbing shared by the worker, the stand-ins and the command line: settings, logging, client."""
