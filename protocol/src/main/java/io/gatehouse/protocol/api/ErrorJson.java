package io.gatehouse.protocol.api;

/** The body of every 4xx and 5xx: {@code {"error": "<code>", "message": "<human sentence>"}}. */
public record ErrorJson(String error, String message) {}
