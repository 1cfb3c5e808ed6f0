/**
 * Scale-out (issue 19): node leases and stream ownership in Redis ({@code registry}), and
 * the framed node-to-node protocol an edge uses to pull a stream from its origin
 * ({@code relay}). A node without {@code cluster.redis} never loads any of it.
 */
package dev.vireo.cluster;
