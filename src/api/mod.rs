//! The SalesLoft REST API v2 client.
