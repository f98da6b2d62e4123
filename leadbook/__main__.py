from .cli import program

if __name__ == "__main__":  # worker processes import this module too
    program()
