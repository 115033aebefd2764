"""The FAQ: the knowledge base staff edit, the question matcher and the service around them."""
