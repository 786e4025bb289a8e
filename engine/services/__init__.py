"""Use cases: plain functions over a unit of work, with time from a clock.

Convention: a service receives a UnitOfWork, opens it with `with uow:` and commits when its step
is done. Calling a service inside an already open `with uow:` joins that transaction.
"""
