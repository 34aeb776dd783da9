"""Search over skills and knowledge units behind one interface per kind."""
